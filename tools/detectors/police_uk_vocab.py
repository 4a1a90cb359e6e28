"""Code lists published by data.police.uk and the census, as the detectors compare them.

All entries are lower case; detectors lower-case and collapse spaces before looking up.
"""

from __future__ import annotations

# data.police.uk street-level crime categories: API slugs and CSV labels (current and retired).
CRIME_CATEGORY_SLUGS = frozenset(
    """
    anti-social-behaviour bicycle-theft burglary criminal-damage-arson drugs other-theft
    possession-of-weapons public-order robbery shoplifting theft-from-the-person vehicle-crime
    violent-crime other-crime public-disorder-weapons all-crime
    """.split()
)
CRIME_CATEGORY_LABELS = frozenset(
    {
        "anti-social behaviour", "bicycle theft", "burglary", "criminal damage and arson", "drugs",
        "other theft", "possession of weapons", "public order", "robbery", "shoplifting",
        "theft from the person", "vehicle crime", "violence and sexual offences", "other crime",
        "violent crime", "public disorder and weapons",
    }
)

# data.police.uk outcome categories: CSV labels and API slugs.
OUTCOME_LABELS = frozenset(
    {
        "awaiting court outcome", "court result unavailable", "court case unable to proceed",
        "local resolution", "investigation complete; no suspect identified",
        "offender deprived of property", "offender fined", "offender given absolute discharge",
        "offender given a caution", "offender given a drugs possession warning",
        "offender given a penalty notice", "offender given penalty notice",
        "offender given community sentence", "offender given conditional discharge",
        "offender given suspended prison sentence", "offender sent to prison",
        "offender otherwise dealt with", "offender ordered to pay compensation",
        "suspect charged as part of another case", "suspect charged", "defendant found not guilty",
        "defendant sent to crown court", "unable to prosecute suspect",
        "formal action is not in the public interest", "action to be taken by another organisation",
        "further investigation is not in the public interest",
        "further action is not in the public interest", "under investigation",
        "status update unavailable",
    }
)
OUTCOME_SLUGS = frozenset(
    """
    awaiting-court-result court-result-unavailable unable-to-proceed local-resolution
    no-further-action deprived-of-property fined absolute-discharge cautioned
    drugs-possession-warning penalty-notice-issued community-penalty conditional-discharge
    suspended-sentence imprisoned other-court-disposal compensation sentenced-in-another-case
    charged not-guilty sent-to-crown-court unable-to-prosecute formal-action-not-in-public-interest
    action-taken-by-another-organisation further-investigation-not-in-public-interest
    further-action-not-in-public-interest under-investigation status-update-unavailable
    """.split()
)

# Officer-defined ethnicity as data.police.uk publishes it.
OFFICER_DEFINED_ETHNICITY = frozenset({"white", "black", "asian", "mixed", "other"})

# Headings that open census self-defined ethnicity labels ("White - Irish",
# "Asian/Asian British - Pakistani", "Black, Black British, Black Welsh, Caribbean or African: African").
SELF_DEFINED_HEADINGS = ("white", "mixed", "asian", "black", "other ethnic", "chinese or other")
SELF_DEFINED_WHOLE_VALUES = frozenset({"not stated", "not known", "prefer not to say"})
