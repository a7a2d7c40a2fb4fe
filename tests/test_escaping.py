"""Input shown inside a translated message comes out as text, never as markup."""

# Search splits a query at spaces and quotes, so these hold neither.
PAYLOADS = ["<b>x</b>", "<meta/http-equiv=refresh/content=0;url=https://example.org/>",
            "<script>alert(1)</script>"]  # fmt: skip


def test_unknown_user_and_category_in_a_search_are_escaped(client):
    for payload in PAYLOADS:
        for query in (f"@{payload}", f"#{payload}"):
            page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
            assert payload not in page, query
            assert payload.replace("<", "&lt;").replace(">", "&gt;") in page, query
