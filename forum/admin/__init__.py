"""The admin area: runtime settings, site texts, membership questions, rejection
templates, watched words, invitations and the (read-only) audit log."""
