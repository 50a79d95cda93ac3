#!/bin/sh
# Names the Mac after its serial number.
scutil --set ComputerName "mac-$(ioreg -l | awk -F\" '/IOPlatformSerialNumber/ {print $4}')"
