; Inno Setup 6 script for the Windows installer.  UNTESTED until built on Windows (see
; docs/install.md).  build-windows.ps1 passes /DAppVersion, /DSourceDir (the PyInstaller folder)
; and /DIconFile.
;
; - installs the one-folder bundle into Program Files\caseworker (per machine) or the user's
;   Programs folder (without admin rights), Start menu and optional desktop shortcuts;
; - registers the .cwb type (sync bundles) with its name, icon and open command (the program
;   imports the file in its Sync dialog);
; - upgrading: same AppId, installed over the old version; the data in
;   %LOCALAPPDATA%\caseworker is not touched, and the new version backs each database up into
;   backups\ beside it before upgrading it (on first start);
; - uninstalling removes the program only and says where the data stays.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\windows\dist\caseworker"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\windows\icons\caseworker.ico"
#endif

[Setup]
AppId={{6B0E7C2A-5F1D-4C8B-9E57-2A4D1C3B8F10}
AppName=就业援助工作台 caseworker
AppVersion={#AppVersion}
AppPublisher=caseworker project
DefaultDirName={autopf}\caseworker
DefaultGroupName=就业援助工作台
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=caseworker-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\caseworkerw.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes

[Languages]
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
zh.DataKept=程序已卸载。数据没有删除，仍在：%n%1%n（数据库及 backups 备份文件夹）
en.DataKept=The program was removed. The data was kept in:%n%1%n(the database and its backups folder)
zh.AppName=就业援助工作台
en.AppName=Employment Assistance Workbench
zh.BundleType=就业援助工作台同步包
en.BundleType=Caseworker sync bundle

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the bundle whole: files of the old version must not linger beside the new
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{cm:AppName}"; Filename: "{app}\caseworkerw.exe"
Name: "{autodesktop}\{cm:AppName}"; Filename: "{app}\caseworkerw.exe"; Tasks: desktopicon

[Registry]
; .cwb: the type's name, icon and open command (imported in the Sync dialog).
Root: HKA; Subkey: "Software\Classes\.cwb"; ValueType: string; ValueName: ""; ValueData: "caseworker.SyncBundle"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\caseworker.SyncBundle"; ValueType: string; ValueName: ""; ValueData: "{cm:BundleType}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\caseworker.SyncBundle\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\caseworkerw.exe,0"
Root: HKA; Subkey: "Software\Classes\caseworker.SyncBundle\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """"{app}\caseworkerw.exe"" ""%1"""

[Run]
Filename: "{app}\caseworkerw.exe"; Description: "{cm:LaunchProgram,{cm:AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\caseworker')]),
      mbInformation, MB_OK);
end;
