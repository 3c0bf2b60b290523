print("dbus-aggregate-batteries")
