from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ my_votes|get_item:idea.pk }}`: a dictionary lookup with a variable key."""
    return mapping.get(key) if mapping else None
