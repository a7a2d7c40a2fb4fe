"""Accounts from the outside: signing up, logging in, confirming, resetting passwords."""
