"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture
def reference_data(db):
    """The Guangdong reference catalog, loaded as ``load_reference_data`` does."""
    from config_center.project.reference import reference_data_load_all

    return reference_data_load_all()


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-for-tests-only")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture(autouse=True, scope="session")
def _runtime_checks_in_the_caller():
    """Tests run inside a transaction the watcher thread could not see: the request path checks instead."""
    from config_center.runtime.holder import runtime

    runtime.watch, runtime.report = False, False
