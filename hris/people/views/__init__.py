"""People pages: the directory, employee profiles, "my profile" and the actions on an employee."""
