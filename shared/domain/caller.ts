/** Who is calling, as established by the API key. Location keys see only their location's orders. */
export type Caller = { keyId: string; role: 'location'; location: string } | { keyId: string; role: 'admin' };

export function canSeeLocation(caller: Caller, location: string): boolean {
  return caller.role === 'admin' || caller.location === location;
}
