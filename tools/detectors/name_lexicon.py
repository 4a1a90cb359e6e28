"""Small lexicons of common given and family names in England and Wales.

They are evidence, not a whitelist: a column is scored as names from its shape, and the
share of values found here decides between "given name" and "family name". Several
names are both (Thomas, James); they count for both. Lower case, accents kept.
"""

from __future__ import annotations

GIVEN_NAMES = frozenset(
    """
    aaliyah aaron abbie abdul abigail adam adrian ahmed aidan aiden aisha alan albert alex
    alexander alexandra alfie alice alicia alison amanda amber amelia amir amy andrea andrew
    angela ann anna anne annie anthony archie arthur ashley aurora ava barbara barry beatrice
    ben benjamin beth bethan bethany betty bill billy bradley brandon brenda brian bronwen
    callum cameron carl carol caroline carys catherine charles charlie charlotte chelsea chloe
    chris christine christopher claire clare colin connor craig daisy dale daniel danielle
    darren david dawn dean debbie deborah declan denise dennis derek diana diane dominic donald
    donna dorothy dylan edward eileen elaine eleanor elizabeth ella ellie elliot elsie emily
    emma eric erin ethan eva evie fatima finley florence frances francesca frank freddie
    freya gareth gary gavin gemma geoffrey george georgia gerald gillian glyn gordon grace
    graham gwen hannah harley harper harriet harrison harry hassan hayley heather helen henry
    holly hugh ian imran isaac isabel isabella isabelle isla ivy jack jacob jade jake james
    jamie jan jane janet jasmine jason jay jayden jean jeffrey jennifer jessica jill joan
    joanne joe joel john jonathan jordan joseph josh joshua joyce judith julia julie justin
    karen kate katherine kathleen katie kayla keith kelly kevin kieran kim kirsty kyle laura
    lauren layla leah lee leo leon lewis liam lily linda lisa lloyd logan lola louis louise
    lucas lucy luke lydia lynn maisie malcolm mandy margaret maria marie mark martin mary
    mason matilda matthew maureen max megan melanie melissa mia michael michelle mohammed
    mohammad muhammad molly natalie nathan neil nia nicholas nicola noah norman oliver olivia
    oscar owen pamela patricia patrick paul paula pauline peter philip phoebe poppy rachel
    rebecca reece rhiannon rhys richard rita robert robin ronald rosie ross ruby ruth ryan
    sally samantha samuel sandra sara sarah scarlett scott sean shane sharon sheila shirley
    sian simon sophia sophie stacey stanley stephanie stephen steven stuart susan suzanne
    sylvia tanya teresa terence theo theodore thomas tim timothy toby tom tony tracey tracy
    trevor tyler valerie vanessa victoria vincent wayne wendy william willow yasmin yusuf
    zac zachary zara zoe
    """.split()
)

FAMILY_NAMES = frozenset(
    """
    adams ahmed akhtar ali allen anderson andrews armstrong atkinson bailey baker ball barker
    barnes bates bell bennett berry begum bibi black bond booth bradley brooks brown burns
    butler campbell carr carter chambers chapman clark clarke cole collins cook cooke cooper
    cox cunningham davidson davies davis dawson day dean dixon doherty edwards elliott ellis
    evans fisher fletcher ford foster fox francis gardner gibson gill gordon graham grant gray
    green greenwood griffiths hall hamilton harris harrison hart harvey hawkins hayes henderson
    hill holmes hopkins howard hudson hughes hunt hunter hussain jackson james jenkins johnson
    johnston jones kaur kelly kennedy khan king knight lane lawrence lawson lee lewis lloyd
    macdonald mackenzie maclean marshall martin mason matthews mcdonald mcgregor mckenzie
    miller mills mitchell moore morgan morris murphy murray nelson newman nicholson o'brien
    o'connor o'neill owen owens palmer parker parry patel payne pearce pearson perry phillips
    poole porter powell price pritchard reid reynolds richards richardson riley roberts
    robertson robinson rogers rose ross russell ryan saunders scott shah sharp shaw simpson
    singh smith spencer stevens stewart stone sutton taylor thomas thompson thomson turner
    walker walsh ward watson watts webb wells west white wilkinson williams williamson wilson
    wood woods wright young
    """.split()
)
