"""E-mail to and from members: per-event mails, the summary, unsubscribing, replies by mail.

``events`` turns due notifications into queued mails, ``digest`` mails the
summary of popular topics, ``views`` has the one-click unsubscribe pages,
``incoming`` posts replies that come back by mail. The queue itself and the
sending are in the core (``forum/mail.py``); the commands are in ``cli``.
"""
