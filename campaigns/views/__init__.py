"""The campaigns app's pages, one module per area: public pages, the builder, the brand
team, the dashboard, exports, and the schedule actions of a running campaign."""
