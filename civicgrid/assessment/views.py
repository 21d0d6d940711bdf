"""The assessment officer's pages."""

from django.shortcuts import render

from civicgrid.accounts.pages import page


@page("assessment")
def ranking(request):
    return render(request, "assessment/ranking.html", {})
