"""In-app notifications: what happened that concerns a member."""
