from brands import views

app_name = "brands"

urlpatterns = views.urlpatterns
