"""Site-wide texts (netiquette, Impressum, Datenschutz) and runtime settings."""
