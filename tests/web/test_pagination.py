"""filtered_page: the page asked for, and page links that keep the filters."""

from __future__ import annotations

from django.test import RequestFactory

from trustroom.web.pagination import filtered_page


def test_the_page_and_a_query_without_it() -> None:
    request = RequestFactory().get("/x/", {"status": "open", "page": "2", "q": "a&b"})
    listing = filtered_page(request, list(range(25)), 10)
    assert list(listing["page_obj"].object_list) == list(range(10, 20))
    assert listing["filters"]["status"] == "open"
    assert listing["query"] == "status=open&q=a%26b"


def test_a_page_out_of_range_is_the_nearest_one() -> None:
    request = RequestFactory().get("/x/", {"page": "99"})
    listing = filtered_page(request, list(range(25)), 10)
    assert listing["page_obj"].number == 3 and listing["query"] == ""
    assert filtered_page(RequestFactory().get("/x/", {"page": "nope"}), [], 10)["page_obj"].number == 1
