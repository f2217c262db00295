

def test_council_loads_a_travel_time_table_and_bad_rows_are_named(network):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fjernarbeid.portal.models import TravelTime

    council = Client()
    council.force_login(network["admin"])
    bad = SimpleUploadedFile("t.csv", b"geonameid,space,minutes\n3150805,a,40\n3150805,nowhere,10\n")
    page = council.post("/coverage/", {"table": bad}).content.decode()
    assert "3" in page and "nowhere" in page and not TravelTime.objects.exists()  # line 3 named, nothing loaded
    good = SimpleUploadedFile("t.csv", b"geonameid,space,minutes\n3150805,a,40\n3150805,b,95\n")
    assert council.post("/coverage/", {"table": good}).status_code == 302
    assert TravelTime.objects.count() == 2
    page = Client().get("/coverage/").content.decode()
    assert "travel-time table" in page or "reisetidstabell" in page
    host = Client()
    host.force_login(network["host_a"])
    assert host.post("/coverage/", {"table": good}).status_code == 403
