from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ my_votes|get_item:idea.pk }}`: a dictionary lookup with a variable key."""
    if not mapping:
        return None
    if key in mapping:
        return mapping[key]
    return mapping.get(str(key))  # JSON-stored mappings have string keys
