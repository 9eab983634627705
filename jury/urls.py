from jury import views

app_name = "jury"

urlpatterns = views.urlpatterns
