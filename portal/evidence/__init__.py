"""Evidence: the catalogue, validity rules and (with the vault) providers' documents."""
