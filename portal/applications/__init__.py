"""Provider applications (aanmeldingen) to Open House rounds: the wizard, the completeness check,
submitting inside an entry window, and the status timeline."""
