"""Verify, and with --fix repair, every post's comment tree.

Invariants: one root per post (tree_id = post id), lft/rght nested and contiguous,
level = parent's level + 1, numbered siblings in number order. A repair recomputes
lft/rght/level from the parent links (which moderation never changes). We lay the tree
out ourselves instead of calling mptt's partial_rebuild, which keeps the stored sibling
order and so cannot restore number order.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F

from forum.models import Comment, Post
from forum.threads import lock_post
from forum.trees import Node, layout, problems

FIELDS = ("id", "parent_id", "number", "lft", "rght", "level")


def load_tree(tree_id: int) -> list[Node]:
    return [Node(*row) for row in Comment.objects.filter(tree_id=tree_id).values_list(*FIELDS)]


class Command(BaseCommand):
    help = "Check every comment tree's invariants; --fix repairs broken trees."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Repair the trees found broken.")

    def handle(self, *args, fix: bool = False, verbosity: int = 1, **options):
        broken = 0
        stray = list(Comment.objects.exclude(tree_id=F("post_id")).values_list("id", flat=True)[:5])
        if stray:
            raise CommandError(f"comments whose tree is not their post's: {stray}")
        post_ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
        for post_id in post_ids:
            nodes = load_tree(post_id)
            found = problems(nodes) if nodes else ["no root node"]
            if not found:
                continue
            broken += 1
            for problem in found[:10]:
                self.stderr.write(f"post {post_id}: {problem}")
            if fix:
                self.repair(post_id)
        if broken and not fix:
            raise CommandError(
                f"{broken} of {len(post_ids)} comment trees are broken; run with --fix."
            )
        if verbosity:
            outcome = f"{broken} repaired" if broken else "all valid"
            self.stdout.write(f"{len(post_ids)} comment trees checked: {outcome}.")

    @transaction.atomic
    def repair(self, post_id: int) -> None:
        lock_post(post_id)
        nodes = load_tree(post_id)
        if not nodes:
            Comment.objects.create_root(Post.objects.get(pk=post_id))
            return
        places = layout(nodes)
        Comment.objects.bulk_update(
            [
                Comment(id=node_id, lft=p.lft, rght=p.rght, level=p.level)
                for node_id, p in places.items()
            ],
            ["lft", "rght", "level"],
            batch_size=1000,
        )
