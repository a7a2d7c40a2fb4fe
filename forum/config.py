"""Documented defaults for every setting.

Precedence (lowest first): this module, ``instance/config.py``, ``FORUM_*``
environment variables (``FORUM_SITE_NAME=...``; values are parsed as JSON when
they can be, so ``FORUM_POSTS_PER_PAGE=30`` is an int), then a test config.
Every setting a deployer may change is listed in the README.
"""

from pathlib import Path

# --- Site -------------------------------------------------------------------
#: Name shown in the header, page titles and e-mails.
SITE_NAME = "Ehrenamt im Landkreis Gifhorn"
#: Short line under the name on the landing page, as written (one language).
#: Empty: the built-in line, in the reader's language.
SITE_DESCRIPTION = ""
#: Public base URL used in e-mails (links must work outside a request). An
#: https:// address also makes cookies Secure and sends HSTS. `make run` sets
#: it to the address it serves (FORUM_BASE_URL=http://HOST:PORT).
BASE_URL = "http://127.0.0.1:5000"

# --- Security ---------------------------------------------------------------
#: Secret for sessions, CSRF and signed tokens. ``make run`` writes a random one
#: into instance/config.py; never commit it. In production (neither debug nor
#: testing) the forum refuses to start without one of at least 32 characters.
SECRET_KEY = None
#: Largest accepted request body in bytes; bigger ones get a friendly 413.
MAX_CONTENT_LENGTH = 8 * 1024 * 1024
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: Only a response that changed the session sets its cookie. Flask's default sends
#: a permanent session's cookie (a guest's kept text, forum/kept.py) again with
#: every response, a stylesheet's too: one still on its way with the session from
#: before a log-in then wrote that old session back over the new one, and the
#: person was logged out again (a guest confirming her address while the check-mail
#: page still loaded). The kept text lasts from when it was kept either way.
SESSION_REFRESH_EACH_REQUEST = False
#: Cookies (session and "stay logged in") over HTTPS only. None: when BASE_URL
#: starts with https://, which is what a production forum wants.
SESSION_COOKIE_SECURE = None
REMEMBER_COOKIE_SECURE = None
#: With an https:// BASE_URL, browsers are told to use HTTPS only for this many
#: seconds (Strict-Transport-Security); 0 sends no such header.
HSTS_SECONDS = 60 * 60 * 24 * 365
#: Number of reverse proxies (nginx, ...) in front of the app whose
#: X-Forwarded-For/-Proto/-Host headers are trusted. 0: none (direct access).
#: Behind one nginx set 1, or every visitor shares the proxy's rate limits.
TRUSTED_PROXIES = 0
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
#: CSRF tokens stay valid this many seconds (a long reply takes time to write).
WTF_CSRF_TIME_LIMIT = 60 * 60 * 12
#: Werkzeug hashing method for passwords; scrypt is the current recommendation.
#: (The test suite uses a cheap method only to stay fast.)
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a secret)
#: Seconds a password-reset link stays valid.
PASSWORD_RESET_MAX_AGE = 60 * 60 * 2
#: Seconds an e-mail confirmation link stays valid.
EMAIL_CONFIRM_MAX_AGE = 60 * 60 * 24 * 3
#: Days the address and time of each log-in are kept (shown to admins on a
#: member's admin page); older records are deleted at every log-in and by
#: `flask --app forum prune-logins`. 0 records no log-ins at all.
LOGIN_RECORD_DAYS = 30

# --- Database ---------------------------------------------------------------
#: SQLAlchemy URL. Empty means SQLite in instance/forum.sqlite3.
#: PostgreSQL: postgresql+psycopg://user@host:5432/dbname
SQLALCHEMY_DATABASE_URI = ""
SQLALCHEMY_ENGINE_OPTIONS: dict = {}
SQLALCHEMY_RECORD_QUERIES = False
#: SQLite: writers wait for the write lock in a queue (a file lock beside the
#: database, forum/sqlite_writers.py) and try again every 0.2 to 2 ms, instead
#: of SQLite's busy handler trying again after up to 100 ms. False: SQLite's own.
SQLITE_WRITER_QUEUE = True

# --- Rate limits (Flask-Limiter) ---------------------------------------------
#: Where limits are counted: memory:// for one process, redis://host:6379 when
#: several processes (gunicorn workers) must share the counts.
RATELIMIT_STORAGE_URI = "memory://"
#: memory:// refuses to start in production (neither debug nor testing), where
#: several workers would each count alone, unless this says that exactly one
#: process serves the forum (`flask run`, gunicorn -w 1). `make run` sets it.
RATELIMIT_SINGLE_PROCESS = False
RATELIMIT_ENABLED = True
RATELIMIT_HEADERS_ENABLED = True
#: Limits in Flask-Limiter notation.
LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
REGISTER_RATE_LIMIT = "5 per hour"
POST_RATE_LIMIT = "12 per minute;200 per day"
#: The composer's live preview asks while the member types, so it has its own limit.
PREVIEW_RATE_LIMIT = "40 per minute;2000 per day"
#: New personal conversations, people added to them and interests shown in
#: opportunities, per account (on top of POST_RATE_LIMIT per address); replies
#: in a conversation count as posts.
MESSAGE_RATE_LIMIT = "5 per minute;40 per day"
PASSWORD_RESET_RATE_LIMIT = "5 per hour"  # noqa: S105 (a rate, not a secret)
#: The composer's uploads through /uploads.json, per account, on top of the daily
#: quota UPLOADS_PER_DAY: a burst of files is fine, a script's flood is not.
UPLOAD_RATE_LIMIT = "20 per minute"
#: How often a member may download her own data (Settings; counted per member).
DATA_EXPORT_RATE_LIMIT = "3 per hour;10 per day"
#: Per account (or login name), whatever the address: after this many failed
#: log-ins in a row the account is locked for LOGIN_LOCKOUT_SECONDS, each further
#: lockout twice as long up to LOGIN_LOCKOUT_MAX_SECONDS. The owner gets a mail
#: when a lockout starts. A successful log-in, or a day without failures, ends it.
LOGIN_LOCKOUT_FAILURES = 5
LOGIN_LOCKOUT_SECONDS = 60
LOGIN_LOCKOUT_MAX_SECONDS = 60 * 60

# --- Language ---------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "de"
BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
#: Languages offered in settings and matched against Accept-Language.
LANGUAGES = ["de", "en"]

# --- Posting ----------------------------------------------------------------
TOPIC_TITLE_MIN_LENGTH = 5
TOPIC_TITLE_MAX_LENGTH = 200
POST_MIN_LENGTH = 2
POST_MAX_LENGTH = 32000
#: Most people a new personal conversation may name (the office counts as one).
MESSAGE_MAX_RECIPIENTS = 10
#: At most this many members may be @mentioned in one post (against mass pinging).
MAX_MENTIONS_PER_POST = 10
#: How often one person may ask for @mention suggestions while typing.
MENTION_SEARCH_RATE_LIMIT = "60 per minute;2000 per day"
#: The composer asks for similar topics while a title is typed (/similar.json).
SIMILAR_TOPICS_RATE_LIMIT = "60 per minute;2000 per day"
#: Seconds a form that creates something (topic, reply, edit, flag, application)
#: remembers its first answer: sent again with the same key, it leads there
#: instead of posting twice.
SUBMISSION_KEY_MAX_AGE = 60 * 10
#: Posts shown per page of a topic.
POSTS_PER_PAGE = 20
#: Topics shown per page of a list.
TOPICS_PER_PAGE = 30
#: View counts are kept in memory and written at most this often (seconds);
#: 0 writes after every view (tests).
VIEW_FLUSH_INTERVAL = 30

# --- Anonymous page cache (forum/pagecache.py) --------------------------------
#: Guests' read pages (home, latest, category, topic pages, the empty search page)
#: are served from a cache; members never read from it nor write to it.
PAGE_CACHE_ENABLED = True
#: Seconds a guest's page is kept (an admin can change it under /admin/settings);
#: any change to what guests see drops every page at once anyway. 0 keeps none.
PAGE_CACHE_SECONDS = 60
#: Where pages are kept: redis://host:6379/0 shares them between workers;
#: empty means the rate limiter's Redis when it has one, else each process's
#: memory (the generation that drops them is a file in the instance folder).
PAGE_CACHE_URL = ""
#: Kilobytes of guests' pages each process keeps in memory when there is no
#: Redis, each page counted by its size plus 1 KB; the least recently used go
#: first. A page weighs 7-40 KB (a topic's first page ~18 KB in the bench data):
#: 1 MB holds ~55 pages. A page lives at most PAGE_CACHE_SECONDS and one page
#: generation, so what hits is what guests read again within a minute (the home
#: page, latest topics, the categories, a topic being discussed); a crawler's
#: pages are read once. 8 MB filled up with 450 crawled pages that never hit,
#: and kept a worker with full caches above 100 MB (bench/README.md, session 15).
PAGE_CACHE_KB = 1024
#: Kilobytes each process keeps of rendered posts (forum/post_blocks.py) and of
#: rendered topic-list rows (forum/topic_rows.py), each block counted by its
#: real size plus 1 KB for its key; the least recently used go first. 1 MB
#: holds ~250 posts (~3 KB of HTML each: 12 pages of 20 posts, 6 that both
#: guests and members read, whose blocks differ), 2 MB ~750 rows (~2 KB each,
#: a member's rows with their unread counts). Posts outlive a page generation:
#: they are what the pages being read are rendered from again after each reply
#: or like, and those stay in. Every MB of these bounds, once full, is ~1.25 MB
#: of a worker's memory (aim < 100 MB with full caches, bench/README.md).
POST_BLOCKS_CACHE_KB = 1024
TOPIC_ROWS_CACHE_KB = 2048
#: The topic page's reply form, kept per language and upload offer (forum/boards/reply_box.py);
#: the same amount again for the watching controls (forum/notifications/level_box.py, ~2 KB each).
REPLY_BOX_CACHE_KB = 256
#: The categories page's cards (forum/category_cards.py), ~2 KB each.
CATEGORY_CARDS_CACHE_KB = 512
#: Kilobytes each process keeps of members' topic pages with their personal
#: parts as slots (forum/kept_pages.py, forum/member_pages): a page weighs
#: 4-100 KB once read (its parts, the posts' facts and a block per post and
#: readers' marks, counted as they are kept; a first page ~20 KB in the bench
#: data, a full page of 20 posts ~70-100 KB), so 1 MB holds ~10 full pages or ~40
#: first pages. 0 renders every member page in full. Kept while the guests' page
#: generation stands and at most ``PAGE_CACHE_SECONDS`` (0 there keeps none
#: either): what hits is a page members of the same kind read again within a
#: minute. 4 MB, filled by many different topics, kept a worker above 100 MB.
KEPT_PAGES_CACHE_KB = 1024
#: The header's personal part of kept member pages, kept per member and counts (~3 KB each).
USER_NAV_CACHE_KB = 512

# --- E-mail -----------------------------------------------------------------
#: Sender of all mails.
MAIL_DEFAULT_SENDER = "Ehrenamt Gifhorn <forum@localhost>"
#: SMTP host. Empty: mails are written to instance/mail/ as .eml files.
MAIL_SERVER = ""
MAIL_PORT = 25
MAIL_USERNAME = ""
MAIL_PASSWORD = ""
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_TIMEOUT = 10
#: Mails wait in the outgoing_mails table until sent. On: a request's mails are
#: sent right after its response (and mails queued outside a request at once);
#: `flask --app forum mail send` (cron, every minute) sends the rest and retries.
#: Off: only that command sends.
MAIL_SEND_AFTER_RESPONSE = True
#: A mail that failed is tried again after 1, 2, 4 ... times this many seconds
#: (at most 6 hours apart) and given up on (kept, logged) after MAIL_MAX_ATTEMPTS.
MAIL_RETRY_BASE_SECONDS = 60
MAIL_MAX_ATTEMPTS = 12
#: A notification (reply, mention, quote, personal message, post in a watched
#: topic) is mailed when it is this old, still unread, and the member has not
#: been on the forum for this long; `flask --app forum mail send` picks them up.
EMAIL_NOTIFY_DELAY_MINUTES = 10
#: Notifications older than this are no longer mailed (e.g. after a long outage).
EMAIL_NOTIFY_MAX_AGE_HOURS = 48
#: After a reply's response, tell its watchers, mentioned and quoted members in
#: a thread of the worker (which serves its next request meanwhile) instead of
#: in the worker itself. False: in the worker, before its next request (the
#: tests use that, to see the notifications at once).
NOTIFY_IN_BACKGROUND = True
#: Seconds that thread gathers jobs after the first one before it makes them:
#: the replies of that moment share one transaction (one claim, one commit)
#: instead of one each. 0: make each at once.
NOTIFY_GATHER_SECONDS = 0.2
#: Each fan-out is first a row in notification_jobs, written with the post, edit or
#: like. A job no process finished this many seconds later (its worker was killed)
#: is made by `flask --app forum mail send` (cron) or a worker's notify thread.
NOTIFY_RECOVER_AFTER_SECONDS = 60
#: A failing fan-out is tried again later (backoff doubling from a minute, at
#: most an hour apart) and given up on (kept, logged) after this many tries.
NOTIFY_MAX_ATTEMPTS = 8
#: Reply by e-mail: the address mails come in to, e.g. "antwort@forum.example";
#: notification mails then carry Reply-To: antwort+<token>@forum.example. Empty: off.
REPLY_BY_EMAIL_ADDRESS = ""
#: Days a reply address stays valid.
REPLY_BY_EMAIL_MAX_AGE_DAYS = 90
#: Larger incoming mails are refused with a polite answer.
INCOMING_MAIL_MAX_BYTES = 2 * 1024 * 1024
#: The mailbox `flask --app forum mail receive` fetches from (IMAP over TLS).
INCOMING_MAIL_IMAP_HOST = ""
INCOMING_MAIL_IMAP_PORT = 993
INCOMING_MAIL_IMAP_USER = ""
INCOMING_MAIL_IMAP_PASSWORD = ""
INCOMING_MAIL_IMAP_FOLDER = "INBOX"

# --- Plugins ----------------------------------------------------------------------
#: Plugins to load, by name: modules or packages in PLUGINS_DIR, or installed
#: packages that declare a ``forum.plugins`` entry point. A listed plugin that
#: is missing or fails to import stops start-up with a message naming it.
PLUGINS: list = ["events", "solved"]
#: The folder of folder plugins (default: ``plugins/`` beside the package).
PLUGINS_DIR = str(Path(__file__).resolve().parent.parent / "plugins")

# --- Closed group and moderation ----------------------------------------------
# Defaults for settings an admin can change at run time (stored in the
# site_settings table once changed; the admin's value wins over these).
#: New accounts wait for a moderator's approval; off: confirmed users become
#: members at once.
MEMBERSHIP_APPROVAL_REQUIRED = True
#: A new member's first N posts wait in the review queue (0 turns it off).
HOLD_FIRST_POSTS = 1
#: Flags from this many different members hide a post until reviewed.
FLAGS_TO_HIDE = 3
#: How the coordinator learns of join requests: "each" (a mail per request),
#: "daily" (one summary a day, sent by `flask --app forum moderation digest`)
#: or "none".
JOIN_REQUEST_NOTIFY = "each"
#: Days an invitation link stays valid.
INVITATION_DAYS = 14

# --- Search -------------------------------------------------------------------
#: "whoosh": an index folder on this machine (the default; SQLite or one app
#: server). "postgres": PostgreSQL's own full-text search in the database, for
#: several app servers; it needs a PostgreSQL SQLALCHEMY_DATABASE_URI (the app
#: refuses to start with it on SQLite). Run `flask --app forum search reindex`
#: after switching.
SEARCH_BACKEND = "whoosh"
#: Folder of the Whoosh index. Empty means instance/search-index.
SEARCH_INDEX_DIR = ""
#: Rebuild a missing Whoosh index from the database in the background, checked at
#: the first request of each process (the index folder was lost or not restored).
SEARCH_REBUILD_MISSING = True
#: Topics per page of search results.
SEARCH_PER_PAGE = 20
#: Seconds a process waits for the Whoosh index locks before leaving its index
#: work in the outbox for the process holding the lock.
SEARCH_LOCK_TIMEOUT = 2.0
#: After a request's response, apply its search work in a thread of the worker
#: (which serves its next request meanwhile) instead of in the worker itself.
#: A post is then searchable a moment after the response rather than when the
#: response is closed. False: as before (the tests use that, to search at once).
SEARCH_APPLY_IN_BACKGROUND = True
#: Seconds that thread gathers work after a request woke it before it writes
#: the index: replies posted meanwhile (by any worker) reach the index in one
#: Whoosh commit instead of one each. 0: write at once.
SEARCH_APPLY_DELAY = 0.5
#: Longer queries are cut to this many characters.
SEARCH_MAX_QUERY_LENGTH = 300
#: Slug of the public questions category ("Fragen & Antworten"): search results
#: offer guests and applicants to ask there after joining, keeping the question
#: through registration (forum/boards/questions.py). Empty turns the offer off.
QUESTIONS_CATEGORY = "fragen-antworten"
#: Optional file of extra words (one per line) for splitting compounds, added
#: to forum/search/words_de.txt; reindex after changing it.
SEARCH_COMPOUND_WORDS = ""
#: Extra words for splitting compounds that an admin adds on the settings page
#: (whitespace-separated; added to the word list and the file above). Saving
#: a change there rebuilds the search index after the response.
SEARCH_EXTRA_WORDS = ""
#: Days the search log keeps search words that found nothing (no names, no
#: addresses: only the words, a count and the day), shown on the admin
#: dashboard; 0 keeps no log. An admin can change it under /admin/settings.
SEARCH_LOG_DAYS = 90

# --- Uploads (forum/uploads, docs/uploads.md) ------------------------------------
# Run-time settings (an admin changes them under /admin/settings):
#: What members may upload: "images_pdf", "images" or "none".
UPLOAD_TYPES = "images_pdf"
#: Largest upload in megabytes (MAX_CONTENT_LENGTH caps every request as well).
UPLOAD_MAX_MB = 6
#: Uploads per member per day (staff have no limit); 0 stops members' uploads.
UPLOADS_PER_DAY = 30
#: Posts with uploads wait for review until their author has this many published posts.
UPLOAD_HOLD_POSTS = 3
# For the deployer:
#: "folder" (UPLOAD_FOLDER, default instance/uploads) or "s3" (an S3-compatible
#: object store for several app servers; needs boto3, the "s3" extra).
UPLOAD_STORAGE = "folder"
UPLOAD_FOLDER = ""
UPLOAD_S3_BUCKET = ""
#: The object store's address, e.g. "https://s3.example.org" (empty: AWS).
UPLOAD_S3_ENDPOINT_URL = ""
UPLOAD_S3_REGION = ""
UPLOAD_S3_ACCESS_KEY_ID = ""
UPLOAD_S3_SECRET_ACCESS_KEY = ""
#: With nginx in front: "/protected-uploads/" answers allowed requests with an
#: X-Accel-Redirect to that internal location (docs/operations.md); empty: the
#: app sends the file itself.
UPLOAD_X_ACCEL_PREFIX = ""
#: Uploads no post, avatar or logo uses are removed by `flask --app forum
#: uploads cleanup` when they are older than this many hours.
UPLOAD_ORPHAN_HOURS = 48
#: Widths (and heights) of a post's picture: the largest is the one linked.
UPLOAD_IMAGE_SIDES = (1600, 800, 400)
