from insights.views import dashboard, exports

app_name = "insights"

urlpatterns = [*dashboard.urlpatterns, *exports.urlpatterns]
