"""modemd: person-to-person SMS on USB GSM modems."""
