"""The admission register: admitted providers per product group × municipality, changing an
admission's status with a reason, the public register per municipality, and expiring evidence."""
