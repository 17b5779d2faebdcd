/**
 * Common English given-name diminutives in use in the UK. Each line is a formal name followed by
 * its usual short forms. Equivalence is symmetric and also links two diminutives of the same
 * formal name (Bill ~ Will), but a diminutive shared by two formal names (Alex: Alexander,
 * Alexandra) does not make those formal names equivalent to each other.
 */
const TABLE = `
abigail abbie abby abi gail
alexander alex alec alexa sandy xander lex
alexandra alex alexa lexi lexie sandra sasha
alfred alfie alf fred freddie
alice ally allie
amanda mandy manda
andrew andy drew
angela angie
anthony tony ant
archibald archie
arthur art artie
barbara barb babs
benjamin ben benny benji
bernard bernie
bradley brad
callum cal
caroline carol carrie caz
catherine cathy kate katie kat cath kitty
katherine kathy kate katie kat kath kitty
kathryn kathy kate katie kat
charles charlie chas chuck chaz
charlotte charlie lottie lotte
christina chris tina christie
christine chris tina chrissie
christopher chris kit topher
cornelius neil
cynthia cindy
daniel dan danny
david dave davy davie
deborah debbie deb debs
dominic dom
donald don donny
dorothy dot dottie dolly
douglas doug
edward ed eddie ted teddy ned
eleanor ellie nell nora elle
elizabeth liz lizzie beth betty bess bessie eliza libby lisa elsie
ellen ellie nell
emily em emmy millie
emma em emmy
eugene gene
evelyn evie eve
frances fran frankie fanny
francis frank frankie fran
frederick fred freddie freddy
gabriel gabe
gabriella gabby gabi ella
geoffrey geoff jeff
gerald gerry jerry
georgia georgie
george georgie geordie
gregory greg
harold harry hal
harriet hattie harry
harrison harry
helen nell nellie
henry harry hal hank
isabel izzy bella isa
isabella izzy bella isa
isabelle izzy bella
jacob jake jack
jacqueline jackie jacqui
james jim jimmy jamie jem
jane janey jenny
janet jan jenny
jennifer jen jenny jenna
jessica jess jessie
joanna jo joanne
johanna jo hannah
john jack johnny jon
jonathan jon jonny nathan
joseph joe joey
josephine jo josie
joshua josh
judith judy jude
julia julie jules
kenneth ken kenny
kimberley kim
lawrence larry laurie
leonard leo len lenny
lewis lou louie
louis lou louie
louisa lou lulu
louise lou lulu
lucas luke
madeleine maddie maddy
madison maddie maddy
margaret maggie meg peggy marge margie greta
martin marty
matilda tilly tillie mattie
matthew matt matty
maximilian max
maxwell max
megan meg
michael mike mikey mick micky
mildred millie
mohammed mo
muhammad mo
natalie nat
nathaniel nat nate nathan
nicholas nick nicky
nicola nicky nikki
oliver ollie olly
olivia liv livvy ollie
patricia pat patty trish tricia
patrick pat paddy
penelope penny
peter pete
philip phil pip
phillip phil pip
rebecca becky becca bex
richard rich rick ricky dick
robert rob robbie bob bobby bert
roberta bobbie
ronald ron ronnie
rosemary rose rosie
samantha sam sammy
samuel sam sammy
sarah sally sadie
sebastian seb
stephen steve stevie
steven steve stevie
stuart stu
susan sue susie suzy
suzanne sue susie suzy
terence terry
theodore theo ted teddy
thomas tom tommy
timothy tim timmy
toby tobias
valerie val
victoria vicky tori
vincent vince vinny
walter walt wally
william bill billy will willie liam
winifred winnie
zachary zach zak
`;

const groups = new Map<string, Set<string>>();

for (const line of TABLE.split('\n')) {
  const names = line.trim().split(/\s+/).filter(Boolean);
  if (names.length < 2) continue;
  // A name belongs to the group of every formal name it is listed under.
  for (const n of names) {
    const existing = groups.get(n) ?? new Set<string>();
    existing.add(names[0]);
    groups.set(n, existing);
  }
}

/** The formal names a (normalised, lowercase) given name may stand for, itself included when formal. */
export function formalNamesOf(name: string): string[] {
  const set = groups.get(name);
  return set ? [...set] : [];
}

/** True when two normalised given names are the same name or diminutives of a common formal name. */
export function areNicknames(a: string, b: string): boolean {
  if (a === b) return true;
  const ga = groups.get(a);
  const gb = groups.get(b);
  if (!ga || !gb) return false;
  for (const g of ga) if (gb.has(g)) return true;
  return false;
}
