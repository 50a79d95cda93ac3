#!/bin/sh
/usr/libexec/ApplicationFirewall/socketfilterfw --setglobalstate on
