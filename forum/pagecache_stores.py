"""Where the guest page cache keeps pages and its generation counters (forum/pagecache.py).

``LocalStore`` keeps pages in the process and the counters in files of the
instance folder, which every process on the machine reads; ``RedisStore``
keeps both in Redis, shared by every worker and machine.
"""

import json
import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

#: The store's counters: the guest pages' generation, and one bumped only by
#: commits that change the admin's settings (processes keep the run-time
#: settings while it stands: forum/site/services.py).
PAGES = "pages"
SETTINGS = "settings"


@dataclass(frozen=True)
class Entry:
    generation: str
    expires: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    #: The topic whose page this is: a hit still counts a view of it.
    topic_id: int | None = None

    def dumps(self) -> bytes:
        head = [self.generation, self.expires, self.status, self.headers, self.topic_id]
        return json.dumps(head).encode() + b"\n" + self.body

    @classmethod
    def loads(cls, raw: bytes) -> "Entry":
        head, _, body = raw.partition(b"\n")
        generation, expires, status, headers, topic_id = json.loads(head)
        return cls(generation, expires, status, [tuple(h) for h in headers], body, topic_id)


#: What a kept page costs beside its body: the key, the headers, the entry.
ENTRY_OVERHEAD = 1024
#: How often a store looks for pages past their time when it keeps one (seconds).
SWEEP_SECONDS = 10


class LocalStore:
    """Pages in this process, the generation in a file every process reads.

    Bounded by bytes (``max_bytes``), least recently used dropped first: a
    page weighs 5 to 60 KB, so a count of pages bounded a worker's memory
    only loosely (500 pages could take 15 MB or more).
    """

    def __init__(self, generation_file: Path, max_bytes: int) -> None:
        self.generation_file = generation_file
        self._paths: dict[str, str] = {}
        self.max_bytes = max_bytes
        self.bytes = 0
        self.pages: OrderedDict[str, Entry] = OrderedDict()
        self.lock = threading.Lock()
        self.last_generation: str | None = None
        self.swept = time.time()

    @staticmethod
    def cost(key: str, entry: Entry) -> int:
        return len(key) + len(entry.body) + ENTRY_OVERHEAD

    def _file(self, counter: str) -> Path:
        if counter == PAGES:
            return self.generation_file
        return self.generation_file.with_name(f"{counter}.generation")

    def generation(self, counter: str = PAGES) -> str:
        # Read on every member page (twice: pages and settings): the descriptor's
        # calls alone, not a text file object (a third of the time).
        path = self._paths.get(counter)
        if path is None:
            path = self._paths[counter] = os.fspath(self._file(counter))
        try:
            handle = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return ""
        try:
            return os.read(handle, 64).decode()
        finally:
            os.close(handle)

    def bump(self, counter: str = PAGES) -> None:
        # Overwritten in place with a value of fixed length, never truncated: a
        # reader sees the old value, the new one or (racing the write) a mix of
        # both that no later read repeats; each is a generation no stored page
        # outlives. Written aside and renamed, ext4 flushed the new file's data
        # before the rename (auto_da_alloc): about 5 ms a reply waited for the disk.
        new = f"{time.time_ns():020d}-{secrets.token_hex(4)}".encode()
        handle = os.open(self._file(counter), os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.pwrite(handle, new, 0)
        finally:
            os.close(handle)

    def get(self, key: str) -> Entry | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def set(self, key: str, entry: Entry, _ttl: int) -> None:
        cost = self.cost(key, entry)
        now = time.time()
        with self.lock:
            # Pages of another generation or past their time are never served
            # again: dropped now rather than holding memory until newer pages
            # push them out (as forum/kept_pages.py's store does).
            if entry.generation != self.last_generation:
                self.last_generation = entry.generation
                self._drop(lambda kept: kept.generation != entry.generation)
            elif now - self.swept >= SWEEP_SECONDS:
                self.swept = now
                self._drop(lambda kept: kept.expires <= now)
            old = self.pages.pop(key, None)
            if old is not None:
                self.bytes -= self.cost(key, old)
            if cost > self.max_bytes:
                return  # larger than the whole cache: rendered each time
            self.pages[key] = entry
            self.bytes += cost
            while self.bytes > self.max_bytes:
                dropped_key, dropped = self.pages.popitem(last=False)
                self.bytes -= self.cost(dropped_key, dropped)

    def _drop(self, dead) -> None:
        for key in [key for key, kept in self.pages.items() if dead(kept)]:
            self.bytes -= self.cost(key, self.pages.pop(key))

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.bytes = 0


class RedisStore:
    """Pages and the generation in Redis, shared by every worker and machine."""

    prefix = "forum:page-cache:"

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=1.0)

    def _key(self, counter: str) -> str:
        return self.prefix + ("generation" if counter == PAGES else f"{counter}:generation")

    def generation(self, counter: str = PAGES) -> str:
        value = self.redis.get(self._key(counter))
        return value.decode() if value else ""

    def bump(self, counter: str = PAGES) -> None:
        self.redis.incr(self._key(counter))

    def get(self, key: str) -> Entry | None:
        raw = self.redis.get(self.prefix + "page:" + key)
        return Entry.loads(raw) if raw else None

    def set(self, key: str, entry: Entry, ttl: int) -> None:
        self.redis.set(self.prefix + "page:" + key, entry.dumps(), ex=max(int(ttl), 1))

    def clear(self) -> None:
        for key in self.redis.scan_iter(self.prefix + "page:*"):
            self.redis.delete(key)


def make_store(app: Flask):
    url = app.config["PAGE_CACHE_URL"] or ""
    if not url and str(app.config["RATELIMIT_STORAGE_URI"]).startswith("redis"):
        url = app.config["RATELIMIT_STORAGE_URI"]
    if url.startswith("redis"):
        return RedisStore(url)
    path = Path(app.instance_path) / "page-cache.generation"
    return LocalStore(path, int(app.config["PAGE_CACHE_KB"]) * 1024)
