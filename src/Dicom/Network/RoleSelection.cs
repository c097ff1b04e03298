namespace Zsad.Dicom.Network;

/// <summary>SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4): parsed and reported, never answered, so the
/// default roles (requestor is SCU) stay in force.</summary>
public readonly record struct RoleSelection(string SopClassUid, bool ScuRole, bool ScpRole);
