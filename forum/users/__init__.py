"""Accounts as people see them: profiles, avatars, settings."""
