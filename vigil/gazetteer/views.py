from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from vigil.gazetteer.services import normalise_postcode, postcode_lookup


@login_required
@require_POST
def postcode_centre(request: HttpRequest) -> JsonResponse:
    """The centre of a postcode, for the map to move to while a place is typed. Public
    reference data (the gazetteer), so the look-up is not audited; sent by POST all the same,
    so a victim's postcode stays out of addresses and server logs."""
    text = request.POST.get("postcode", "")
    if normalise_postcode(text) is None:
        return JsonResponse({"error": "not a postcode"}, status=400)
    found = postcode_lookup(text)
    if found is None:
        return JsonResponse({"error": "not in the gazetteer", "postcode": normalise_postcode(text)}, status=404)
    return JsonResponse({"postcode": found.postcode, "lat": found.lat, "lon": found.lon})
