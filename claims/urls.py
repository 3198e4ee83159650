from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("", views.home, name="home"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("facilities/<slug:slug>/", views.facility_detail, name="facility_detail"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("healthz", views.healthz, name="healthz"),
]
