async def test_viewer_after_password_sign_in(api):
    token = await api.token("admin")
    data = await api.ok("{ viewer { kind roles user { username } organisation { regionCode } } }", token=token)
    assert data["viewer"] == {
        "kind": "user",
        "roles": ["PLATFORM_ADMIN"],
        "user": {"username": "admin"},
        "organisation": {"regionCode": "320583"},
    }
