"""监督检查 inspections, rectification orders and penalty decisions (art_23-25)."""
from django.urls import path

from . import views

app_name = "enforcement"

urlpatterns = [
    path("inspections/", views.InspectionList.as_view(), name="inspection_list"),
    path("inspections/add/", views.inspection_add, name="inspection_add"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/observations/", views.InspectionObservations.as_view(), name="inspection_observations"),
    path("inspections/<int:pk>/checklist/", views.InspectionChecklist.as_view(), name="inspection_checklist"),
    path("inspections/<int:pk>/raise/", views.InspectionRaise.as_view(), name="inspection_raise"),
    path("inspections/<int:pk>/confirm/<int:finding_pk>/", views.InspectionConfirm.as_view(), name="inspection_confirm"),
    path("inspections/<int:pk>/photo/", views.InspectionPhoto.as_view(), name="inspection_photo"),
    path("inspections/<int:pk>/sign/", views.InspectionSign.as_view(), name="inspection_sign"),
    path("inspections/<int:pk>/amend/", views.InspectionAmend.as_view(), name="inspection_amend"),
    path("inspections/<int:pk>/complaint/", views.InspectionComplaint.as_view(), name="inspection_complaint"),
    path("complaints/<int:pk>/answer/", views.ComplaintAnswer.as_view(), name="complaint_answer"),
    path("orders/", views.OrderList.as_view(), name="rectificationorder_list"),
    path("orders/add/", views.order_add, name="order_add"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/answer/", views.OrderAnswer.as_view(), name="order_answer"),
    path("orders/<int:pk>/evidence/<int:evidence_pk>/", views.order_evidence, name="order_evidence"),
    path("orders/<int:pk>/review/<int:item_pk>/", views.OrderReview.as_view(), name="order_review"),
    path("orders/<int:order_pk>/penalty/", views.case_add, name="case_add"),
    path("inspections/<int:inspection_pk>/penalty/", views.case_add_at_once, name="case_add_at_once"),
    path("cases/", views.CaseList.as_view(), name="penaltycase_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/statement/", views.CaseStatement.as_view(), name="case_statement"),
    path("cases/<int:pk>/decide/", views.CaseDecide.as_view(), name="case_decide"),
    path("documents/<str:kind>/<int:pk>.pdf", views.document, name="document"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("casefile/unit/<int:pk>/", views.casefile_unit, name="casefile_unit"),
    path("casefile/site/<int:pk>/", views.casefile_site, name="casefile_site"),
    path("queues/", views.queues, name="queues"),
    path("at-once/", views.AtOnceList.as_view(), name="at_once_list"),
    path("figures/", views.figures, name="figures"),
]
