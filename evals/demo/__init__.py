"""The bundled demo: a synthetic custody export, its mapping and the script make demo runs."""
