"""Tree invariants: the pure layout, and check_comment_trees on stored trees."""

import pytest
from django.core.management import CommandError, call_command

from forum.models import Comment
from forum.trees import Node, layout, problems

from .factories import PostFactory, thread


def test_layout_numbers_siblings_in_number_order_whatever_the_input_order():
    nodes = [Node("r", None), Node("b", "r", 2), Node("a", "r", 1), Node("a1", "a", 1)]
    places = layout(nodes)
    assert [
        (k, tuple(v.__getattribute__(f) for f in ("lft", "rght", "level")))
        for k, v in sorted(places.items(), key=lambda kv: kv[1].lft)
    ] == [("r", (1, 8, 0)), ("a", (2, 5, 1)), ("a1", (3, 4, 2)), ("b", (6, 7, 1))]


def test_problems_finds_gaps_levels_and_order():
    good = [Node("r", None, None, 1, 6, 0), Node("a", "r", 1, 2, 3, 1), Node("b", "r", 2, 4, 5, 1)]
    assert problems(good) == []
    gap = [Node("r", None, None, 1, 7, 0), Node("a", "r", 1, 2, 3, 1), Node("b", "r", 2, 5, 6, 1)]
    assert problems(gap)
    swapped = [
        Node("r", None, None, 1, 6, 0),
        Node("a", "r", 2, 2, 3, 1),
        Node("b", "r", 1, 4, 5, 1),
    ]
    assert any("number order" in p for p in problems(swapped))
    two_roots = [Node("r", None, None, 1, 2, 0), Node("s", None, None, 1, 2, 0)]
    assert problems(two_roots) == ["2 root nodes (expected 1)"]


@pytest.mark.django_db
def test_check_comment_trees_finds_and_repairs_a_corrupted_tree(capsys):
    post = PostFactory()
    thread(post, {3: 2})
    call_command("check_comment_trees")
    Comment.objects.filter(post=post, path="2").update(lft=99)
    with pytest.raises(CommandError, match="1 of 1 comment trees are broken"):
        call_command("check_comment_trees")
    call_command("check_comment_trees", "--fix")
    call_command("check_comment_trees")
    assert "all valid" in capsys.readouterr().out
    ordered = (
        Comment.objects.visible().filter(post=post).order_by("lft").values_list("path", flat=True)
    )
    assert list(ordered) == ["1", "1.1", "1.2", "2", "2.1", "2.2", "3", "3.1", "3.2"]
