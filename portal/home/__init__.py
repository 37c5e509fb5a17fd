"""The start page: a public welcome, or the work of the role the user acts in."""
