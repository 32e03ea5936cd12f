from trustroom.tenancy.principal import Principal


def load_demo(principal: Principal) -> None:
    pass
