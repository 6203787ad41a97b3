"""Tree snapshots for assertions, in the style of django-mptt's own tests."""

from forum.models import Comment, Post


def tree_shape(post: Post) -> str:
    """One line per node in tree order: 'path status level lft rght' (root shown as '-')."""
    rows = Comment.objects.filter(tree_id=post.tree_id).order_by("lft")
    return "\n".join(f"{c.path or '-'} {c.status} {c.level} {c.lft} {c.rght}" for c in rows)


def paths(post: Post) -> list[str]:
    """The public numbering of a thread, in reading order."""
    return list(
        Comment.objects.visible()
        .filter(tree_id=post.tree_id)
        .order_by("lft")
        .values_list("path", flat=True)
    )
