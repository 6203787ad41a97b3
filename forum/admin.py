"""Admin for posts and comments. Comments use a plain changelist, never
DraggableMPTTAdmin, which its own docs say breaks past a few hundred nodes."""

from django.contrib import admin

from .models import Comment, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "date", "comments_open", "is_published", "source_file")
    list_filter = ("is_published", "comments_open", "year")
    search_fields = ("title",)
    date_hierarchy = "date"
    readonly_fields = ("slug", "created_at", "updated_at", "source_file", "source_line")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "display_name", "author", "created_at")
    list_filter = ("status", "removed_by")
    list_select_related = ("post", "author")
    search_fields = ("body", "display_name", "author__email")
    raw_id_fields = ("post", "parent", "author")
    readonly_fields = ("number", "path", "lft", "rght", "level", "tree_id", "source_file", "source_line")

    def get_queryset(self, request):
        return super().get_queryset(request).comments()
