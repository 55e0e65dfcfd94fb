"""The estimator page in a real browser: guided form, itemised result, print view."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_estimator_form_result_and_print(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/tools/estimate")
    # Injury is the default: grade and dependants do not apply and are hidden.
    assert not page.locator("#f-grade").is_visible()
    assert not page.locator("#dependants-block").is_visible()

    page.select_option("#f-region", "广东")
    page.fill("#f-age", "45")
    page.check("input[name=outcome][value=disability]")
    assert page.locator("#f-grade").is_visible()
    page.select_option("#f-grade", "8")
    page.fill("#f-medical", "30000")
    page.fill("#f-dep_age_0", "10")
    page.fill("#f-dep_sup_0", "1")
    page.fill("#f-share_pct", "70")
    page.fill("#f-commercial_limit", "1000000")
    page.get_by_role("button", name="计算赔偿").click()

    page.wait_for_selector("#result")
    assert page.locator("#total").inner_text() == "433,039.56"
    row = page.locator("tr[data-code=disability_compensation]")
    assert "355,839.60" in row.inner_text()
    assert "《人身损害赔偿解释》第十二条" in row.inner_text()
    # beyond 交强险: 433,039.56 − (18,000 + 180,000) = 235,039.56; vehicle 70 % = 164,527.69; victim 70,511.87
    assert page.locator("#pay-victim").inner_text() == "70,511.87"

    # Print / PDF: the result stays, the form and buttons go.
    page.emulate_media(media="print")
    assert page.locator("#result").is_visible()
    assert not page.locator("#estimate-form").is_visible()
    assert page.get_by_text("交通事故赔偿估算单").is_visible()
    page.emulate_media(media="screen")

    # A mistake is reported next to the field, in Chinese.
    page.check("input[name=outcome][value=death]")
    page.fill("#f-dep_age_0", "30")
    page.get_by_role("button", name="计算赔偿").click()
    assert "丧失劳动能力" in page.locator("#form-error").inner_text()
