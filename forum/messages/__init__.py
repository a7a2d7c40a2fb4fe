"""Personal messages: private conversations between members and with the
coordination office's group inbox (a topic in a hidden category plus its
participants)."""
