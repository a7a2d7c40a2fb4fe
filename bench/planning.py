"""The data set without text: who wrote which post when, replies, likes, counters.

Everything is decided here first, so every counter on a row is known before
the row is inserted.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import common
from vocabulary import CATEGORIES, FIRST_NAMES, LAST_NAMES


@dataclass
class Sizes:
    categories: int
    users: int
    topics: int
    posts: int
    long_topic_posts: int
    likes_per_post: float


@dataclass(slots=True)
class PlannedPost:
    topic: int  # index into Plan.topics
    number: int
    user: int
    created_at: datetime
    reply_to: int | None = None
    deleted: bool = False
    like_count: int = 0
    reply_count: int = 0
    id: int = 0


@dataclass(slots=True)
class PlannedTopic:
    category: int  # index into CATEGORIES
    user: int
    created_at: datetime
    posts: list[PlannedPost] = field(default_factory=list)
    id: int = 0


@dataclass
class Plan:
    users: list[dict]
    topics: list[PlannedTopic]
    posts: list[PlannedPost]
    likes: list[tuple[int, int, datetime]]  # post id, user id, created_at


ADMIN_ID, FIRST_MODERATOR_ID, MEMBER_ID = 1, 2, 5


def _spread(rng: random.Random, start: datetime, count: int, end: datetime) -> list[datetime]:
    """Return ``count`` increasing times from ``start``, the last one before ``end``."""
    gaps = [rng.expovariate(1 / 8) for _ in range(count - 1)]  # hours, 8 on average
    span = (end - start).total_seconds() / 3600
    total = sum(gaps)
    if total > span:
        scale = span / total * rng.uniform(0.3, 0.95)
        gaps = [g * scale for g in gaps]
    times = [start]
    for gap in gaps:
        times.append(times[-1] + timedelta(hours=gap))
    return times


def plan(sizes: Sizes, rng: random.Random, now: datetime) -> Plan:
    """Decide every row and counter without any text."""
    users = _plan_users(sizes.users, rng, now)
    posters = [u["id"] for u in users if u["role"] != "applicant"]
    # A few people write most of the posts, as in every forum.
    activity = [1 / (rank + 1) ** 0.8 for rank in range(len(posters))]
    rng.shuffle(activity)
    cum = list(_accumulate(activity))

    def author() -> int:
        return rng.choices(posters, cum_weights=cum)[0]

    categories = CATEGORIES[: sizes.categories]
    shares = [c[6] for c in categories]
    public = [i for i, c in enumerate(categories) if c[3] == "public" and c[4] == "members"]
    long_posts = min(sizes.long_topic_posts, sizes.posts - sizes.topics + 1)
    # Replies per topic: a heavy tail (most topics get a handful, a few get hundreds).
    extra = sizes.posts - sizes.topics - (long_posts - 1)
    weights = [rng.paretovariate(1.6) for _ in range(sizes.topics - 1)]
    counts = Counter(rng.choices(range(sizes.topics - 1), weights=weights, k=max(extra, 0)))
    cap = max(long_posts - 1, 1)
    overflow = sum(max(n + 1 - cap, 0) for n in counts.values())
    for i in list(counts):
        counts[i] = min(counts[i], cap - 1)
    for i in rng.choices(range(sizes.topics - 1), k=overflow):
        counts[i] += 1  # may go over the cap by a few; the long topic still wins
    post_counts = [1 + counts[i] for i in range(sizes.topics - 1)]

    topics: list[PlannedTopic] = []
    for n in post_counts:
        # More activity recently: the square root bunches creation times toward now.
        age = timedelta(days=730 * rng.random() ** 1.6, minutes=5)
        start = now - age
        category = rng.choices(range(len(categories)), weights=shares)[0]
        topic = PlannedTopic(category, author(), start)
        times = _spread(rng, start, n, now)
        topic.posts = [PlannedPost(0, k + 1, author(), t) for k, t in enumerate(times)]
        topic.posts[0].user = topic.user
        topics.append(topic)
    # The long topic: a public discussion of long_posts posts over three months.
    start = now - timedelta(days=90)
    long_topic = PlannedTopic(public[-1] if public else 0, MEMBER_ID + 1, start)
    step = timedelta(days=89) / max(long_posts, 1)
    long_topic.posts = [
        PlannedPost(0, k + 1, author() if k else long_topic.user, start + step * k)
        for k in range(long_posts)
    ]
    topics.append(long_topic)

    topics.sort(key=lambda t: t.created_at)
    posts: list[PlannedPost] = []
    for index, topic in enumerate(topics):
        topic.id = index + 1
        _plan_replies(topic, index, rng)
        posts.extend(topic.posts)
    posts.sort(key=lambda p: p.created_at)
    for index, post in enumerate(posts):
        post.id = index + 1
    likes = _plan_likes(posts, posters, sizes.likes_per_post, rng, now)
    return Plan(users, topics, posts, likes)


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def _plan_users(count: int, rng: random.Random, now: datetime) -> list[dict]:
    users = []
    taken: set[str] = set()
    for user_id in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if user_id == ADMIN_ID:
            username, role = "admin", "admin"
        elif user_id < MEMBER_ID:
            username, role = f"moderator{user_id - 1}", "moderator"
        elif user_id == MEMBER_ID:
            username, role = common.BENCH_MEMBER, "member"
        else:
            style = rng.randrange(3)
            base = f"{first}.{last}" if style == 0 else f"{first}{last[0]}" if style == 1 else first
            base = base.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"}))
            username = base
            while username in taken:
                username = f"{base}{rng.randint(1, 9999)}"
            role = "applicant" if rng.random() < 0.05 else "member"
        taken.add(username)
        users.append(
            {
                "id": user_id,
                "username": username,
                "display_name": f"{first} {last}" if rng.random() < 0.7 else "",
                "role": role,
                "created_at": now - timedelta(days=800 + rng.random() * 400),
            }
        )
    return users


def _plan_replies(topic: PlannedTopic, index: int, rng: random.Random) -> None:
    posts = topic.posts
    for post in posts:
        post.topic = index
    # Deleted replies: never the first or the last post, so bumping stays obvious.
    for post in posts[1:-1]:
        post.deleted = rng.random() < 0.01
    alive = [p for p in posts if not p.deleted]
    for i, post in enumerate(posts[1:], start=1):
        if rng.random() < 0.4:
            earlier = [p for p in alive[max(0, i - 12) : i] if p.number < post.number]
            if earlier:
                target = rng.choice(earlier)
                post.reply_to = target.number
                if not post.deleted:
                    target.reply_count += 1


def _plan_likes(posts, posters, per_post: float, rng, now) -> list[tuple[int, int, datetime]]:
    alive = [p for p in posts if not p.deleted]
    weights = [3.0 if p.number == 1 else 1.0 for p in alive]
    seen: set[tuple[int, int]] = set()
    likes = []
    for post in rng.choices(alive, weights=weights, k=int(len(posts) * per_post)):
        user = rng.choice(posters)
        if user == post.user or (post.id, user) in seen:
            continue
        seen.add((post.id, user))
        post.like_count += 1
        at = post.created_at + timedelta(hours=rng.expovariate(1 / 12))
        likes.append((post.id, user, min(at, now)))
    return likes
