def register_menu():
    pass
