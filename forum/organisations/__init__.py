"""Organisations: directory, profiles, representatives, volunteering opportunities."""
