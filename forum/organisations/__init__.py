"""Organisations: the directory, profiles, representatives and (later) their volunteering opportunities."""
