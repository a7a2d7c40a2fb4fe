"""Joining the closed group: questions, netiquette, applications, invitations."""
