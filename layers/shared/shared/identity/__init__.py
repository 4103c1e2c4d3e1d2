"""Identity shared by every system: users, sessions, passwords, roles."""
