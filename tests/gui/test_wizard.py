"""First-run setup: the plain state, and the wizard creating a station."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWizard

from caseworker import bootstrap
from caseworker.core.errors import ValidationError
from caseworker.gui import setup_state
from caseworker.gui.views.wizard import SetupWizard


@pytest.fixture
def empty_store(db_path: Path) -> Any:
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    store = open_store(sqlite_url(db_path), actor="tester")
    yield store
    store.dispose()


def test_pages_check_their_answers() -> None:
    answers = setup_state.SetupAnswers()
    assert setup_state.check("language", answers) == {}
    assert set(setup_state.check("station", answers)) == {"code", "name"}
    answers.code, answers.name = "650102001", "燕儿窝街道就业服务站"
    assert setup_state.check("station", answers) == {}
    assert "villages" in setup_state.check("villages", answers)
    answers.villages_text = "南湖社区\n红旗村，团结村\n\n红旗村"
    assert answers.villages == ["南湖社区", "红旗村", "团结村"]
    assert setup_state.check("villages", answers) == {}
    assert "caseworker" in setup_state.check("caseworker", answers)


def test_apply_refuses_incomplete_answers(empty_store: Any) -> None:
    with pytest.raises(ValidationError):
        setup_state.apply(empty_store, setup_state.SetupAnswers(code="1"))
    assert empty_store.station_code == ""


def test_wizard_creates_the_station(empty_store: Any, qtbot: Any) -> None:
    from caseworker.registry import stations

    wizard = SetupWizard(empty_store, language="en")
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.buttonText(QWizard.WizardButton.NextButton) == "Next →"
    wizard.next()
    station = wizard.page_named("station")
    wizard.next()
    assert wizard.currentPage() is station  # empty: refused, with a message
    assert station.message.text()
    station.code.setText("650102001")
    station.station_name.setText("燕儿窝街道就业服务站")
    wizard.next()
    villages = wizard.page_named("villages")
    assert wizard.currentPage() is villages
    villages.text.setPlainText("南湖社区\n红旗村")
    assert villages.count.text().startswith("2")
    wizard.next()
    caseworker = wizard.page_named("caseworker")
    caseworker.caseworker.setText("古丽")
    assert wizard.currentPage() is caseworker
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert empty_store.station_code == "650102001"
    with empty_store.reading() as session:
        assert [v.name for v in stations.villages(session, "650102001")] == ["南湖社区", "红旗村"]
    assert empty_store.setting(bootstrap.CASEWORKER_KEY) == "古丽"
    assert empty_store.setting(bootstrap.LANGUAGE_KEY) == "en"


def test_the_red_errors_go_once_the_fields_are_corrected(empty_store: Any, qtbot: Any) -> None:
    wizard = SetupWizard(empty_store, language="en")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    station = wizard.station_page
    wizard.next()  # both empty: refused
    assert "Enter the station's name" in station.message.text()
    station.station_name.setText("燕儿窝街道就业服务站")
    assert "Enter the station's name" not in station.message.text()  # that one is fixed
    assert station.message.text()  # the code is still missing
    station.code.setText("650102001")
    assert station.message.text() == ""  # nothing left to correct
    wizard.next()
    villages = wizard.villages_page
    wizard.next()
    assert villages.message.text()
    villages.text.setPlainText("红旗村")
    assert villages.message.text() == ""


def test_a_language_tried_in_a_cancelled_wizard_is_not_kept(
    empty_store: Any, qtbot: Any, qapp: Any
) -> None:
    from caseworker import i18n
    from caseworker.gui import prefs

    assert i18n.current_language() == "en"
    wizard = SetupWizard(empty_store, language="en")
    qtbot.addWidget(wizard)
    wizard.show()
    combo = wizard.language_page.combo
    combo.setCurrentIndex(combo.findData("ug_CN"))
    assert i18n.current_language() == "ug_CN"  # the wizard itself speaks it at once
    wizard.reject()
    assert i18n.current_language() == "en"
    assert qapp.layoutDirection().name == "LeftToRight"
    assert prefs.stored_language() is None
    assert empty_store.setting(bootstrap.LANGUAGE_KEY) in ("", None)
