import pytest

import aerolite


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "db")


@pytest.fixture
def client(db_path):
    c = aerolite.client({"path": db_path}).connect()
    yield c
    c.close()


@pytest.fixture
def kinesis(client):
    return client.kinesis()
