; Inno Setup script for Windows laptops: per-user install (no admin rights), Start menu entry,
; and the .hsproj file association. Build the one-folder bundle first on Windows with
;   python installer\build_bundle.py
; then compile this script with Inno Setup 6 (iscc installer\hotspot_desktop.iss /DAppVersion=0.1.0).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Hotspot Desktop"
#define BundleDir "..\dist\HotspotDesktop-" + AppVersion

[Setup]
AppId={{6C1B2D0E-4E43-4B5D-9A0C-5F1F0B2B7C11}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Hotspot Desktop
DefaultDirName={localappdata}\Programs\Hotspot Desktop
DefaultGroupName={#AppName}
; Per-user install: no administrator rights needed on locked-down agency laptops.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ChangesAssociations=yes
OutputDir=..\dist
OutputBaseFilename=HotspotDesktop-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\HotspotDesktop.exe

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\HotspotDesktop.exe"
Name: "{group}\{#AppName} sample project"; Filename: "{app}\HotspotDesktop.exe"; Parameters: """{app}\_internal\sample_projects\riverton\riverton.hsproj"""
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"

[Registry]
; .hsproj opens in Hotspot Desktop (per-user classes: HKCU\Software\Classes).
Root: HKCU; Subkey: "Software\Classes\.hsproj"; ValueType: string; ValueName: ""; ValueData: "HotspotDesktop.Project"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\HotspotDesktop.Project"; ValueType: string; ValueName: ""; ValueData: "Hotspot Desktop project"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\HotspotDesktop.Project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\HotspotDesktop.exe,0"
Root: HKCU; Subkey: "Software\Classes\HotspotDesktop.Project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\HotspotDesktop.exe"" ""%1"""

[Run]
Filename: "{app}\HotspotDesktop.exe"; Description: "Open the sample project"; Parameters: """{app}\_internal\sample_projects\riverton\riverton.hsproj"""; Flags: nowait postinstall skipifsilent
